/** After the user denied kernel access: the message names the command that changes it, and its button runs it. */
import { describe, expect, it } from 'vitest';
import {
    KernelAccessDenied,
    MANAGE_ACCESS_ACTION,
    MANAGE_ACCESS_COMMAND,
    MANAGE_ACCESS_COMMAND_TITLE,
    offerManageAccess,
} from '../../../extension/src/kernels/jupyterKernel';

function ui(answer: string | undefined, missingCommand = false) {
    const shown: { message: string; actions: string[] }[] = [];
    const ran: unknown[][] = [];
    return {
        shown,
        ran,
        warn: async (message: string, ...actions: string[]) => {
            shown.push({ message, actions });
            return answer;
        },
        executeCommand: async (command: string, ...args: unknown[]) => {
            ran.push([command, ...args]);
            if (missingCommand && command === MANAGE_ACCESS_COMMAND) {
                throw new Error(`command '${command}' not found`);
            }
        },
    };
}

describe('kernel access denied', () => {
    const message = new KernelAccessDenied().message;

    it('names "Jupyter: Manage Access To Jupyter Kernels" in the message', () => {
        expect(MANAGE_ACCESS_COMMAND_TITLE).toBe('Jupyter: Manage Access To Jupyter Kernels');
        expect(message).toContain(`"${MANAGE_ACCESS_COMMAND_TITLE}"`);
        expect(message).toMatch(/Interactive Window/);
    });

    it('opens the Jupyter extension’s access manager from the button', async () => {
        const fake = ui(MANAGE_ACCESS_ACTION);
        await offerManageAccess(message, fake);
        expect(fake.shown).toEqual([{ message, actions: [MANAGE_ACCESS_ACTION] }]);
        expect(fake.ran).toEqual([[MANAGE_ACCESS_COMMAND]]);
    });

    it('falls back to the Command Palette with the title typed in', async () => {
        const fake = ui(MANAGE_ACCESS_ACTION, true);
        await offerManageAccess(message, fake);
        expect(fake.ran.at(-1)).toEqual(['workbench.action.quickOpen', `>${MANAGE_ACCESS_COMMAND_TITLE}`]);
    });

    it('does nothing more when the message is dismissed', async () => {
        const fake = ui(undefined);
        await offerManageAccess(message, fake);
        expect(fake.ran).toEqual([]);
    });
});
