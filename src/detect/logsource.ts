// Logsource applicability: which events a rule's `logsource` covers (notes A8).
//
// - `product` other than windows (linux, macos, azure, …): never applies to our events.
// - `category`: the event's category must equal it; `registry_event` covers registry_add/set/
//   delete/rename. PowerShell categories that no mapping table claims are recognised by channel
//   and EventID (ps_script 4104, ps_module 4103, ps_classic_* 400/600/800).
// - `service`: the event's channel must be one of the service's channels (table below, data).
//   An unknown service never applies.

import { REGISTRY_CATEGORIES, type Event } from '../events/model.js';
import type { SigmaLogsource } from '../sigma/rule.js';

const PS_CHANNELS = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
const PS_CLASSIC = ['Windows PowerShell'];

/** Windows service → channels (pySigma `windows_logsource_mapping` and the Sigma taxonomy). */
export const SERVICE_CHANNELS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['security', ['Security']],
  ['system', ['System']],
  ['application', ['Application']],
  ['sysmon', ['Microsoft-Windows-Sysmon/Operational']],
  ['powershell', PS_CHANNELS],
  ['powershell-classic', PS_CLASSIC],
  ['taskscheduler', ['Microsoft-Windows-TaskScheduler/Operational']],
  ['wmi', ['Microsoft-Windows-WMI-Activity/Operational']],
  ['windefend', ['Microsoft-Windows-Windows Defender/Operational']],
  ['dns-server', ['DNS Server']],
  ['dns-server-analytic', ['Microsoft-Windows-DNS-Server/Analytical']],
  ['dns-server-audit', ['Microsoft-Windows-DNS-Server/Audit']],
  ['dns-client', ['Microsoft-Windows-DNS Client Events/Operational']],
  ['driver-framework', ['Microsoft-Windows-DriverFrameworks-UserMode/Operational']],
  ['ntlm', ['Microsoft-Windows-NTLM/Operational']],
  ['dhcp', ['Microsoft-Windows-DHCP-Server/Operational']],
  ['msexchange-management', ['MSExchange Management']],
  ['printservice-admin', ['Microsoft-Windows-PrintService/Admin']],
  ['printservice-operational', ['Microsoft-Windows-PrintService/Operational']],
  ['smbclient-security', ['Microsoft-Windows-SmbClient/Security']],
  ['smbclient-connectivity', ['Microsoft-Windows-SmbClient/Connectivity']],
  ['applocker', [
    'Microsoft-Windows-AppLocker/MSI and Script',
    'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment',
    'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ]],
  ['microsoft-servicebus-client', ['Microsoft-ServiceBus-Client']],
  ['ldap_debug', ['Microsoft-Windows-LDAP-Client/Debug']],
  ['firewall-as', ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall']],
  ['bits-client', ['Microsoft-Windows-Bits-Client/Operational']],
  ['codeintegrity-operational', ['Microsoft-Windows-CodeIntegrity/Operational']],
  ['diagnosis-scripted', ['Microsoft-Windows-Diagnosis-Scripted/Operational']],
  ['shell-core', ['Microsoft-Windows-Shell-Core/Operational']],
  ['security-mitigations', ['Microsoft-Windows-Security-Mitigations/Kernel Mode', 'Microsoft-Windows-Security-Mitigations/User Mode']],
  ['terminalservices-localsessionmanager', ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational']],
  ['microsoft-windows-terminalservices-remoteconnectionmanager', ['Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational']],
  ['openssh', ['OpenSSH/Operational']],
  ['bitlocker', ['Microsoft-Windows-BitLocker/BitLocker Management']],
  ['vhdmp', ['Microsoft-Windows-VHDMP-Operational']],
  ['appxdeployment-server', ['Microsoft-Windows-AppXDeploymentServer/Operational']],
  ['lsa-server', ['Microsoft-Windows-LSA/Operational']],
  ['appxpackaging-om', ['Microsoft-Windows-AppxPackaging/Operational']],
  ['appmodel-runtime', ['Microsoft-Windows-AppModel-Runtime/Admin']],
  ['capi2', ['Microsoft-Windows-CAPI2/Operational']],
  ['certificateservicesclient-lifecycle-system', ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational']],
  ['kernel-shimengine', ['Microsoft-Windows-Kernel-ShimEngine/Operational', 'Microsoft-Windows-Kernel-ShimEngine/Diagnostic']],
  ['hyper-v-worker', ['Microsoft-Windows-Hyper-V-Worker']],
  ['application-experience', ['Microsoft-Windows-Application-Experience/Program-Telemetry', 'Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant']],
  ['iis-configuration', ['Microsoft-IIS-Configuration/Operational']],
  ['sense', ['Microsoft-Windows-SENSE/Operational']],
  ['wmi-activity', ['Microsoft-Windows-WMI-Activity/Operational']],
]);

/** Categories recognised by channel + EventID when no mapping table assigned them. */
const FALLBACK_CATEGORIES: ReadonlyMap<string, { channels: readonly string[]; eventIds: readonly number[] }> = new Map([
  ['ps_module', { channels: PS_CHANNELS, eventIds: [4103] }],
  ['ps_script', { channels: PS_CHANNELS, eventIds: [4104] }],
  ['ps_classic_start', { channels: PS_CLASSIC, eventIds: [400] }],
  ['ps_classic_provider_start', { channels: PS_CLASSIC, eventIds: [600] }],
  ['ps_classic_script', { channels: PS_CLASSIC, eventIds: [800] }],
]);

export type Applicability = (event: Event) => boolean;

function channelIn(channels: readonly string[]): (event: Event) => boolean {
  const set = new Set(channels.map((c) => c.toLowerCase()));
  return (e) => e.channel !== null && set.has(e.channel.toLowerCase());
}

/** The applicability test for a logsource. `kind` says which lookup order field access uses. */
export function compileLogsource(ls: SigmaLogsource): { applies: Applicability; kind: 'category' | 'service' | 'other' } {
  const product = ls.product?.toLowerCase();
  if (product !== undefined && product !== 'windows') return { applies: () => false, kind: 'other' };
  const tests: Applicability[] = [];
  const category = ls.category?.toLowerCase();
  if (category !== undefined) {
    if (category === 'registry_event') {
      tests.push((e) => e.category !== null && REGISTRY_CATEGORIES.has(e.category));
    } else {
      const fb = FALLBACK_CATEGORIES.get(category);
      if (fb !== undefined) {
        const inChannel = channelIn(fb.channels);
        const ids = new Set(fb.eventIds);
        tests.push((e) => e.category === category || (e.category === null && inChannel(e) && e.eventId !== null && ids.has(e.eventId)));
      } else {
        tests.push((e) => e.category === category);
      }
    }
  }
  const service = ls.service?.toLowerCase();
  if (service !== undefined) {
    const channels = SERVICE_CHANNELS.get(service);
    tests.push(channels === undefined ? () => false : channelIn(channels));
  }
  const kind = category !== undefined ? 'category' : service !== undefined ? 'service' : 'other';
  if (product === undefined && tests.length === 0) return { applies: () => false, kind };
  // Called for every candidate rule of every event: no array walk for the common shapes.
  if (tests.length === 0) return { applies: () => true, kind };
  if (tests.length === 1) return { applies: tests[0]!, kind };
  const [a, b] = tests as [Applicability, Applicability];
  return { applies: (e) => a(e) && b(e), kind };
}
