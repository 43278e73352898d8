// generateName: upstream appends 5 random characters from an alphabet without vowels and
// look-alike digits (k8s.io/apiserver/pkg/storage/names).
import { randomInt } from 'node:crypto';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_NAME = 63;
const RANDOM_LENGTH = 5;

export function generateName(base: string): string {
  const max = MAX_NAME - RANDOM_LENGTH;
  const prefix = base.length > max ? base.slice(0, max) : base;
  let s = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return prefix + s;
}
