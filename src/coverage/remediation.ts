// What to turn on, as commands and configuration lines a user can apply. The full Sysmon
// configuration is config/sysmon-cmstp.xml; docs/telemetry.md says why each item matters.

export type RemediationKind = 'auditpol' | 'registry' | 'gpo' | 'sysmon' | 'defender' | 'elastic' | 'note';

export interface Remediation {
  kind: RemediationKind;
  text: string;
}

export const SYSMON_CONFIG = 'config/sysmon-cmstp.xml';

export const FIX = {
  auditProcessCreation: { kind: 'auditpol', text: 'auditpol /set /subcategory:"Process Creation" /success:enable' },
  cmdLineRegistry: {
    kind: 'registry',
    text: 'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit" /v ProcessCreationIncludeCmdLine_Enabled /t REG_DWORD /d 1 /f',
  },
  cmdLineGpo: {
    kind: 'gpo',
    text: 'Computer Configuration > Administrative Templates > System > Audit Process Creation > "Include command line in process creation events": Enabled',
  },
  auditGpo: {
    kind: 'gpo',
    text: 'Computer Configuration > Windows Settings > Security Settings > Advanced Audit Policy Configuration > Detailed Tracking > "Audit Process Creation": Success',
  },
  sysmonInstall: { kind: 'sysmon', text: `sysmon64.exe -accepteula -i ${SYSMON_CONFIG}   (or merge its RuleGroups into your configuration and run sysmon64.exe -c <config>)` },
  sysmonProcessCreate: {
    kind: 'sysmon',
    text: '<ProcessCreate onmatch="exclude"/> logs every process; do not exclude CommandLine "C:\\Windows\\system32\\DllHost.exe /Processid" (SwiftOnSecurity and sysmon-modular do): that is the elevated CMSTPLUA host',
  },
  sysmonProcessAccess: {
    kind: 'sysmon',
    text: '<ProcessAccess onmatch="include"><CallTrace condition="contains">cmlua.dll</CallTrace><CallTrace condition="contains">cmstplua.dll</CallTrace><SourceImage condition="end with">\\cmstp.exe</SourceImage><Rule groupRelation="and"><SourceImage condition="end with">\\dllhost.exe</SourceImage><CallTrace condition="contains">advpack.dll</CallTrace></Rule></ProcessAccess>  (TargetImage lsass.exe alone is not enough: the CMSTP access goes from DllHost.exe to the elevated child)',
  },
  sysmonImageLoad: {
    kind: 'sysmon',
    text: '<ImageLoad onmatch="include"><Image condition="end with">\\cmstp.exe</Image><ImageLoaded condition="end with">\\cmlua.dll</ImageLoaded><ImageLoaded condition="end with">\\cmstplua.dll</ImageLoaded><ImageLoaded condition="end with">\\cmluautil.dll</ImageLoaded><ImageLoaded condition="end with">\\cmutil.dll</ImageLoaded><ImageLoaded condition="end with">\\colorui.dll</ImageLoaded></ImageLoad>',
  },
  sysmonNetwork: { kind: 'sysmon', text: '<NetworkConnect onmatch="include"><Image condition="end with">\\cmstp.exe</Image></NetworkConnect>  (and <DnsQuery onmatch="include"> for cmstp.exe)' },
  sysmonDns: { kind: 'sysmon', text: '<DnsQuery onmatch="include"><Image condition="end with">\\cmstp.exe</Image></DnsQuery>' },
  sysmonRegistry: {
    kind: 'sysmon',
    text: '<RegistryEvent onmatch="include"><TargetObject condition="contains">\\App Paths\\cmmgr32.exe</TargetObject><TargetObject condition="end with">\\ProfileInstallPath</TargetObject><TargetObject condition="end with">\\CmstpExtensionDll</TargetObject></RegistryEvent>',
  },
  sysmonFile: {
    kind: 'sysmon',
    text: '<FileCreate onmatch="include">: .inf and .sct files under \\Users\\, \\ProgramData\\, \\Windows\\Temp\\; \\UsageLogs\\cmstp.exe.log; \\Microsoft\\Network\\Connections\\Cm\\',
  },
  auditFilteringPlatform: { kind: 'auditpol', text: 'auditpol /set /subcategory:"Filtering Platform Connection" /success:enable   (Security 5156; noisy: Sysmon 3 for cmstp.exe is narrower)' },
  auditRegistry: {
    kind: 'auditpol',
    text: 'auditpol /set /subcategory:"Registry" /success:enable   plus an audit ACE (SACL) for Set Value / Create Subkey on HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths (Security 4657 is written only for keys with a SACL)',
  },
  joinLineage: {
    kind: 'note',
    text: 'without ParentCommandLine, join each child 4688 (ProcessId = creator) to the DllHost.exe 4688 with that NewProcessId on the same host and read its CommandLine for /Processid:{CLSID}',
  },
  defenderTables: {
    kind: 'defender',
    text: 'export DeviceProcessEvents (InitiatingProcessCommandLine carries the dllhost /Processid:{CLSID}), DeviceImageLoadEvents, DeviceRegistryEvents, DeviceNetworkEvents and DeviceFileEvents; Defender has no CallTrace equivalent',
  },
  elastic: {
    kind: 'elastic',
    text: 'Elastic Defend or Winlogbeat with the Sysmon module: process.parent.args / process.parent.command_line must be populated for the ICMLuaUtil rule, and library events for scrobj.dll loads',
  },
} as const satisfies Record<string, Remediation>;
