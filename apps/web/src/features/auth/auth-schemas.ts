// The sign-in form's rules, the same zod schemas the server checks: a chunk of
// their own (zod is a quarter of the first page's JavaScript), fetched while
// the person types.
export { ZLoginInput, ZSignupInput } from '@hubbub/core';
