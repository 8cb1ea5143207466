/**
 * One CSV record (RFC 4180: comma-separated, fields optionally in double quotes, `""` a quote
 * inside them, newlines allowed inside quotes) into its fields. The trailing line break is dropped.
 */
export function parseCsvRecord(text: string): string[] {
  const line = text.replace(/\r?\n$/, '');
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inQuotes) {
      if (ch !== '"') field += ch;
      else if (line[i + 1] === '"') {
        field += '"';
        i++;
      } else inQuotes = false;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field.replace(/\r$/, ''));
  return fields;
}

/** Splits a range of CSV text into its records, newlines inside quoted fields kept. */
export function splitCsvRecords(text: string): string[] {
  const records: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '\n' && !inQuotes) {
      records.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) records.push(text.slice(start));
  return records;
}
