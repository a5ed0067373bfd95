import './gc-on-signal';
/** @hubbub/trpc-ws as a drop-in for the stock adapter: the same generator subscription, only the import differs. */
import { applyWSSHandler } from '@hubbub/trpc-ws';
import { serveGeneratorRouter } from './generator-router';

serveGeneratorRouter(applyWSSHandler);
