(* A tiny Newton solver for the square root of [target]. *)
let target = 2.0

(* EVOLVE-BLOCK-START *)
let steps = (* @evolve int 1..50 *) 8
let damping = 0.9 (* @evolve float 0.1..1 *)
let strategy = (* @evolve choice newton|halve *) "newton"

let step x =
  if strategy = "newton" then x -. (damping *. ((x *. x) -. target) /. (2.0 *. x)) else x /. 2.0
(* EVOLVE-BLOCK-END *)

let () =
  let x = ref 1.0 in
  for _ = 1 to steps do
    x := step !x
  done;
  Printf.printf "%f\n" !x
