// ngx.parse_http_time: the three HTTP date formats (RFC 1123, RFC 850, asctime) to epoch seconds.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const MDAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

// nginx skips the weekday up to the first ',' or ' ', then reads one of these shapes
const RFC1123 = /^[A-Za-z]+, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?: GMT)?$/
const RFC850 = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: GMT)?$/
const ASCTIME = /^[A-Za-z]+ ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/

function toEpoch(day: number, mon: string, year: number, h: number, m: number, s: number): number | null {
  const month = MONTHS.indexOf(mon.toLowerCase())
  if (month < 0 || h > 23 || m > 59 || s > 59 || day < 1 || day > MDAYS[month]) return null
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  if (month === 1 && day === 29 && !leap) return null
  return Date.UTC(year, month, day, h, m, s) / 1000
}

/** Epoch seconds of an HTTP date, or null when nginx would not parse it. */
export function parseHttpDate(value: string): number | null {
  let m = RFC1123.exec(value)
  if (m) return toEpoch(+m[1], m[2], +m[3], +m[4], +m[5], +m[6])
  m = RFC850.exec(value)
  if (m) {
    const yy = +m[3]
    return toEpoch(+m[1], m[2], yy < 70 ? 2000 + yy : 1900 + yy, +m[4], +m[5], +m[6])
  }
  m = ASCTIME.exec(value)
  if (m) return toEpoch(+m[2].trim(), m[1], +m[6], +m[3], +m[4], +m[5])
  return null
}
