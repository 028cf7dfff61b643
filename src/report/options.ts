// The options every renderer takes. Each format reads the ones that concern it and ignores the rest.

export interface ReportOptions {
  /** table: colour the level column with SGR sequences (the caller decides from NO_COLOR, --color, isTTY). */
  color?: boolean;
  /** table: the terminal width in columns; rows are cut to it (default 120, at least 40). */
  width?: number;
  /** html, json, navigator: when the report was made (ISO 8601); omitted when not given, so output is reproducible. */
  generatedAt?: string;
  /** html, navigator: a title (default `cmstp-hunt report`). */
  title?: string;
  /** html: at most this many findings are embedded, most severe first (default 5000); the rest are counted. */
  maxFindings?: number;
  /** html: at most this many evidence events per finding are embedded (default 50). */
  maxEventsPerFinding?: number;
  /** html: field values longer than this many characters are cut, with a note (default 4096). */
  maxValueLength?: number;
}

export const DEFAULT_TITLE = 'cmstp-hunt report';
