/**
 * `node --import tsx --import ./runtime/register.mjs src/main.ts`: TypeScript
 * without tsx's `keepNames`. tsx wraps every named function in `__name(fn,
 * "name")`, and redefining `name` turns each such function object into a
 * dictionary: 256 bytes more for every closure, and a server makes a dozen of
 * them per connection (a third of Hubbub's memory per connection). tsx still
 * resolves modules; only the transform of the project's own .ts files is ours.
 */
import { register } from 'node:module';

register('./transpile.mjs', import.meta.url);
