// Estimates password strength off the event loop: zxcvbn takes tens to hundreds
// of milliseconds on some inputs, which would stall every other request.
import { parentPort } from 'node:worker_threads';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

const estimator = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  // Bounded work per check (the defaults allow seconds on 200 random characters).
  maxLength: 64,
  l33tMaxSubstitutions: 10,
});

parentPort.on('message', ({ id, password, userInputs }) => {
  const { score, feedback } = estimator.check(password, userInputs);
  parentPort.postMessage({ id, score, warning: feedback.warning, suggestions: feedback.suggestions });
});
