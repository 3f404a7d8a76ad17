import { UsageError } from '../errors.js';

/** A DOS date/time pair as stored in zip headers. */
export interface DosDateTime {
  date: number;
  time: number;
}

/** 1980-01-01 00:00:00, the earliest DOS time: the default for reproducible archives. */
export const DOS_EPOCH: DosDateTime = { date: (0 << 9) | (1 << 5) | 1, time: 0 };

const DOS_MIN_SECONDS = 315_532_800; // 1980-01-01T00:00:00Z
const DOS_MAX_SECONDS = 4_354_819_198; // 2107-12-31T23:59:58Z

/**
 * The DOS date/time for `epochSeconds`, computed in UTC (never the machine's time zone) and
 * clamped to the DOS range; seconds are rounded down to even, as DOS stores 2-second steps.
 */
export function dosDateTimeFromEpoch(epochSeconds: number): DosDateTime {
  const clamped = Math.min(Math.max(Math.floor(epochSeconds), DOS_MIN_SECONDS), DOS_MAX_SECONDS);
  const d = new Date(clamped * 1000);
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

/**
 * The timestamp for every entry: `SOURCE_DATE_EPOCH` (reproducible-builds.org) when set in `env`,
 * else 1980-01-01 00:00. A malformed value is an error naming the variable.
 */
export function reproducibleDosTime(env: NodeJS.ProcessEnv = process.env): DosDateTime {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw.trim() === '') return DOS_EPOCH;
  if (!/^\d+$/.test(raw.trim())) {
    throw new UsageError(`SOURCE_DATE_EPOCH must be a whole number of seconds, got '${raw}'`);
  }
  return dosDateTimeFromEpoch(Number(raw.trim()));
}
