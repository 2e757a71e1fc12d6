import { schemaSdl } from '../graphql/schema.js';

// Writes the SDL that graphql/schema.graphql must hold (`npm run schema`).
process.stdout.write(await schemaSdl());
