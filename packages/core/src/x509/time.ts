/**
 * Certificate validity times (RFC 5280 §4.1.2.5): UTCTime `YYMMDDHHMMSSZ` and GeneralizedTime `YYYYMMDDHHMMSSZ`,
 * both in UTC with seconds and without fractions — the only forms the profile allows. A UTCTime year below 50 is
 * 20YY, otherwise 19YY (§4.1.2.5.1).
 *
 * Not enforced: that dates before 2050 use UTCTime (§4.1.2.5). Some CAs have written GeneralizedTime for them,
 * and both encodings are unambiguous, so refusing them would only break interoperability.
 */
import { DerReader, TagClass, UniversalTag } from '../asn1/der.js';

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Reads a Time (UTCTime or GeneralizedTime) and returns it as a `Date`.
 * @throws InvalidArgumentError (`BAD_DER`) for another type, another format, or a date that does not exist.
 */
export function readTime(reader: DerReader, what: string): Date {
  const element = reader.read(what);
  const utc = element.tagClass === TagClass.universal && element.tagNumber === UniversalTag.UTCTime;
  const generalized = element.tagClass === TagClass.universal && element.tagNumber === UniversalTag.GeneralizedTime;
  if (!utc && !generalized) reader.fail(`${what} must be a UTCTime or a GeneralizedTime`, element.offset);
  let text = '';
  for (const byte of element.value) text += String.fromCharCode(byte);
  const match = (utc ? UTC_TIME : GENERALIZED_TIME).exec(text);
  if (match === null) {
    reader.fail(
      `${what} ${JSON.stringify(text)} is not ${utc ? 'YYMMDDHHMMSSZ' : 'YYYYMMDDHHMMSSZ'} (RFC 5280 §4.1.2.5)`,
      element.offset,
    );
  }
  const [year2or4, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const year = utc ? (year2or4 < 50 ? 2000 + year2or4 : 1900 + year2or4) : year2or4;
  // Leap seconds are not representable: RFC 5280 times are "seconds" 00-59 like every X.509 implementation reads them.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    reader.fail(`${what} ${JSON.stringify(text)} is not a valid date`, element.offset);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which maps years 0-99 to 1900-1999
  date.setUTCHours(hour, minute, second, 0);
  return date;
}
