import { describe, expect, it } from 'vitest';
import { createTensorBackend, createTypedBackend, describeTensorBackends } from '../../../src/numeric/tensor/index.js';
import { runTensorBackendContract } from '../../contracts/tensor-backend.contract.js';

runTensorBackendContract('typed', async () => createTypedBackend());
runTensorBackendContract('tfjs-wasm', () => createTensorBackend('tfjs-wasm'));
runTensorBackendContract('tfjs-cpu', () => createTensorBackend('tfjs-cpu'));

describe('tensor backend registry', () => {
  it('lists typed, tfjs-node-gpu (with what to install when absent), tfjs-wasm and tfjs-cpu', async () => {
    const infos = await describeTensorBackends();
    expect(infos.map((info) => info.name)).toEqual(['typed', 'tfjs-node-gpu', 'tfjs-wasm', 'tfjs-cpu']);
    expect(infos[0]).toMatchObject({ available: true, precision: 'float64' });
    const gpu = infos[1];
    if (gpu?.available === false) expect(gpu.detail).toMatch(/npm install @tensorflow\/tfjs-node-gpu/);
    expect(infos.find((info) => info.name === 'tfjs-cpu')?.available).toBe(true);
  });

  it('picks the best tfjs flavour for "tfjs" and refuses unknown names with the choices', async () => {
    const backend = await createTensorBackend('tfjs');
    expect(backend.name).toMatch(/^tfjs-/);
    expect(backend.precision).toBe('float32');
    backend.dispose();
    await expect(createTensorBackend('cuda')).rejects.toThrow(/typed, tfjs, tfjs-node-gpu, tfjs-wasm, tfjs-cpu/);
  });
});
