// The simulated tenant's file (data/demo-tenant.json, and the run copy it becomes): its schema and types.
import { z } from 'zod';
import { DEVICE_ACTIONS } from '../../core/types.js';

const userSchema = z
  .object({
    /** Entra object id; opaque, although the demo uses GUIDs. */
    id: z.string().min(1),
    userPrincipalName: z.string().min(1),
    displayName: z.string().min(1),
    mail: z.string(),
    /** Entra group ids the user belongs to (for the policy's aad-group: members). */
    groups: z.array(z.string().min(1)).optional(),
  })
  .strict();

const deviceSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    model: z.string(),
    manufacturer: z.string(),
    operatingSystem: z.string(),
    osVersion: z.string(),
    deviceType: z.string(),
    serialNumber: z.string().min(1),
    userId: z.string(),
    userPrincipalName: z.string(),
    userDisplayName: z.string(),
    emailAddress: z.string(),
    managementAgent: z.string(),
    enrollmentType: z.string(),
    ownerType: z.enum(['company', 'personal', 'unknown']),
    enrolledByUserPrincipalName: z.string(),
    /** Stored relative to now, so the demo's check-in times never go stale. */
    lastSyncMinutesAgo: z.number().nonnegative(),
    /** An offline device never checks in, so its actions stay pending. */
    offline: z.boolean().optional(),
    /** Apple supervision, as Intune reports it; absent: Intune does not say (an older file, a non-Apple device). */
    isSupervised: z.boolean().optional(),
    /** Lost Mode when the file was written; each finished enable or disable changes it (read from `actions`). */
    lostModeState: z.enum(['enabled', 'disabled']).optional(),
    /**
     * false: the device cannot report where it is (Android: the restrictions profile does not allow "Locate device";
     * Windows: location is not forced on), so a locate settles notSupported. Absent: it can.
     */
    locateAllowed: z.boolean().optional(),
  })
  .strict();

/** One action the tenant received; its progress is derived from startedAt and the clock when read. */
const actionSchema = z
  .object({
    deviceId: z.string().min(1),
    action: z.enum(DEVICE_ACTIONS),
    startedAt: z.iso.datetime(),
    outcome: z.enum(['done', 'failed', 'notSupported']),
  })
  .strict();

export const tenantSchema = z
  .object({
    $comment: z.string().optional(),
    users: z.array(userSchema),
    devices: z.array(deviceSchema),
    actions: z.array(actionSchema),
  })
  .strict()
  // People edit the seed by hand: catch the mistakes that would make lookups ambiguous or dangling.
  .superRefine((tenant, ctx) => {
    const userIds = new Set(tenant.users.map((user) => user.id));
    const deviceIds = new Set<string>();
    const serials = new Set<string>();
    tenant.devices.forEach((device, index) => {
      if (deviceIds.has(device.id)) ctx.addIssue({ code: 'custom', path: ['devices', index, 'id'], message: `duplicate device id "${device.id}"` });
      deviceIds.add(device.id);
      const serial = device.serialNumber.toLowerCase();
      if (serials.has(serial)) {
        ctx.addIssue({ code: 'custom', path: ['devices', index, 'serialNumber'], message: `duplicate serial number "${device.serialNumber}"` });
      }
      serials.add(serial);
      if (device.userId !== '' && !userIds.has(device.userId)) {
        ctx.addIssue({ code: 'custom', path: ['devices', index, 'userId'], message: `no user with id "${device.userId}"` });
      }
    });
    tenant.actions.forEach((action, index) => {
      if (!deviceIds.has(action.deviceId)) {
        ctx.addIssue({ code: 'custom', path: ['actions', index, 'deviceId'], message: `no device with id "${action.deviceId}"` });
      }
    });
  });

export type TenantFile = z.infer<typeof tenantSchema>;
export type TenantUser = TenantFile['users'][number];
export type TenantDevice = TenantFile['devices'][number];
export type TenantAction = TenantFile['actions'][number];
export type ActionOutcome = TenantAction['outcome'];
