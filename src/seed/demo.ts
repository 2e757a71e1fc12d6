import type { Orm } from '../db/orm.js';

export async function seedDemo(_orm: Orm): Promise<void> {}
