/**
 * docker/go-units HumanDuration: the "5 seconds", "About a minute", "3 hours" of `docker ps`
 * (CREATED is `HumanDuration(now − created) + " ago"`, STATUS is `"Up " + HumanDuration(now −
 * startedAt)` or `"Exited (code) " + HumanDuration(now − finishedAt) + " ago"`). Go truncates
 * seconds and minutes toward zero and rounds hours to the nearest.
 */
import type { Nanos } from '../../sim';

const SECOND = 1e9;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export function humanDuration(d: Nanos): string {
  const seconds = Math.trunc(d / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(d / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(d / HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(d / HOUR) / 24 / 365)} years`;
}
