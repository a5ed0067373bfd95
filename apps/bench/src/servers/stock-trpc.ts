import './gc-on-signal';
/** tRPC's stock WebSocket adapter serving a standard tracked() generator subscription. */
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { serveGeneratorRouter } from './generator-router';

serveGeneratorRouter(applyWSSHandler);
