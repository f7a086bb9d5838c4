/**
 * The Jupyter-extension path against a double as unkind as the real extension: the kernel-access
 * modal on the first request (Allow, Deny, dismissed; requests made while it is open wait for
 * it) and a kernel that restarts in the middle of a request. The kernels are real ipykernels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Uri } from 'vscode';
import { MemoryLogger } from '../../../extension/src/common/log';
import { JupyterKernelTarget, KernelAccessDenied } from '../../../extension/src/kernels/jupyterKernel';
import { JupyterKernels } from '../../../extension/src/kernels/jupyterKernels';
import type { KernelStatusInfo } from '../../../extension/src/kernels/kernelCode';
import { waitFor } from '../../../extension/src/common/wait';
import { testTokens } from '../fakes/fakeJupyterKernel';
import { KernelBridge } from '../fakes/kernelBridge';
import { KernelAccessConsent, UnkindJupyterApi, UnkindJupyterKernel } from '../fakes/unkindJupyter';
import { TestWorkspace, makeWorkspace } from '../fakes/workspace';

const IW = { toString: () => 'untitled:/Interactive-1.interactive', path: '/Interactive-1.interactive' } as Uri;

let ws: TestWorkspace;
let bridge: KernelBridge;

beforeAll(async () => {
    ws = makeWorkspace({ 'math_utils.py': 'def scale(v):\n    return v * 2\n' });
    bridge = await KernelBridge.start(ws.root);
});

afterAll(async () => {
    await bridge?.close();
    ws?.remove();
});

function target(kernel: UnkindJupyterKernel): JupyterKernelTarget {
    return new JupyterKernelTarget(`jupyter:${IW.toString()}`, 'Interactive-1', kernel, ws.helperDir, testTokens);
}

describe('kernel-access modal', () => {
    it('asks once for two requests made while it is open; after Allow both are answered and it never asks again', async () => {
        const consent = new KernelAccessConsent();
        const t = target(new UnkindJupyterKernel(bridge, consent));
        const first = t.request<KernelStatusInfo>('status');
        const second = t.request<KernelStatusInfo>('status');
        await consent.whenShown();
        consent.answer('allow');
        const [a, b] = await Promise.all([first, second]);
        expect(a.pid).toBe(bridge.pid);
        expect(b.pid).toBe(bridge.pid);
        await t.request('status');
        expect(consent.shown).toBe(1);
    });

    it('after Deny every request fails as "access denied" without asking again', async () => {
        const consent = new KernelAccessConsent('deny');
        const kernel = new UnkindJupyterKernel(bridge, consent);
        const t = target(kernel);
        await expect(t.request('status')).rejects.toBeInstanceOf(KernelAccessDenied);
        await expect(t.request('status')).rejects.toBeInstanceOf(KernelAccessDenied);
        // Another kernel of the same window: the stored answer applies, no second modal.
        await expect(target(new UnkindJupyterKernel(bridge, consent)).request('status')).rejects.toBeInstanceOf(KernelAccessDenied);
        expect(consent.shown).toBe(1);
        expect(kernel.executed).toEqual([]); // nothing reached the kernel
    });

    it('a dismissed modal fails that kernel; a new kernel asks again and Allow works', async () => {
        const consent = new KernelAccessConsent();
        const dismissed = target(new UnkindJupyterKernel(bridge, consent));
        const pending = dismissed.request('status');
        await consent.whenShown();
        consent.answer('dismiss');
        await expect(pending).rejects.toBeInstanceOf(KernelAccessDenied);
        await expect(dismissed.request('status')).rejects.toBeInstanceOf(KernelAccessDenied);
        expect(consent.shown).toBe(1);

        const fresh = target(new UnkindJupyterKernel(bridge, consent));
        const asked = fresh.request<KernelStatusInfo>('status');
        await consent.whenShown();
        consent.answer('allow');
        expect((await asked).pid).toBe(bridge.pid);
        expect(consent.shown).toBe(2);
    });
});

describe('kernel restart in the middle of a request', () => {
    it('fails that request with a message naming the kernel, resets it, and the next request runs in the new kernel', async () => {
        const consent = new KernelAccessConsent('allow');
        const kernel = new UnkindJupyterKernel(bridge, consent);
        const api = new UnkindJupyterApi();
        api.open(IW, kernel);
        const resets: string[] = [];
        const kernels = new JupyterKernels(api, () => [{ uri: IW, notebookType: 'interactive' }], ws.helperDir, testTokens, new MemoryLogger(), (key) =>
            resets.push(key),
        );
        expect(await kernels.targets()).toEqual([]); // no code run yet: the Jupyter extension has no kernel
        api.userRanCode(IW);
        const [t] = await kernels.targets();
        const before = await t.request<KernelStatusInfo>('status');

        kernel.restartDuringNextRequest();
        await expect(t.request('status')).rejects.toThrow(/Interactive.*Canceled future/);
        expect(resets).toContain(`jupyter:${IW.toString()}`);
        await kernel.restarted;
        await waitFor(() => kernel.status === 'idle', { timeoutMs: 60_000, what: 'the restarted kernel' });

        const after = await t.request<KernelStatusInfo>('status');
        expect(after.pid).not.toBe(before.pid);
        expect(kernel.cancelled).toBe(1);
        kernels.dispose();
    });
});
