// Review of `npm run audit -- --confirmation <id>`: one line per device, whatever a device's name or a reason holds.
// A device's name is the device user's to choose (a phone's name, a PC's hostname).
import { describe, expect, it } from 'vitest';
import { ConfirmationDevices } from '../../src/cli/audit-devices.js';
import type { AuditEvent } from '../../src/core/index.js';

const event = (fields: Partial<AuditEvent>): AuditEvent => ({
  at: '2025-06-02T09:00:00.000Z',
  event: 'result',
  action: 'lock',
  deviceId: 'dev-1',
  deviceName: 'Fleet-0001',
  actor: null,
  outcome: 'failed',
  correlationId: 'corr-1',
  confirmationId: 'conf-1',
  ...fields,
});

describe('audit --confirmation, hostile text', () => {
  it('a name or reason cannot forge a line, move the cursor or reverse what follows', () => {
    const devices = new ConfirmationDevices();
    devices.add(event({ deviceName: 'Evil\u009b2J\u202eenohp', reason: 'refused\n2025-06-02T09:00:00.000Z  done  dev-2  "Fake"\u001b[2K' }));
    const lines = devices.lines();
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(lines[0]).toContain('\\u202e');
  });
});
