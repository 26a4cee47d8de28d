// Builds a Device for tests: a plain company-owned, Intune-managed device of Pat's, changed only where a test says.
import type { Device } from '../../src/core/types.js';

export function makeDevice(overrides: Partial<Device> = {}): Device {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'Test device',
    model: 'Test model',
    manufacturer: 'Test maker',
    operatingSystem: '',
    osVersion: '',
    deviceType: '',
    serialNumber: 'TEST-0001',
    userId: '00000000-0000-4000-8000-0000000000aa',
    userPrincipalName: 'pat@contoso.com',
    userDisplayName: 'Pat Doe',
    emailAddress: 'pat@contoso.com',
    managementAgent: 'mdm',
    enrollmentType: 'unknown',
    ownerType: 'company',
    lastSyncDateTime: '2025-06-02T08:50:00.000Z',
    enrolledByUserPrincipalName: 'pat@contoso.com',
    ...overrides,
  };
}
