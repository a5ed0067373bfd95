import type { FanoutResult } from './scenarios';

/** A complete fan-out run at 1,000 subscribers × 500 messages at 50/s, everything delivered; `over` changes any figure. */
export const fanoutRun = (server: FanoutResult['server'], over: Partial<FanoutResult> = {}): FanoutResult => ({
  server,
  subscribers: 1000,
  messages: 500,
  rate: 50,
  cpuUsPerDelivery: 10,
  clientCpuUsPerDelivery: 15,
  deliveriesPerSecond: 49_000,
  p50: 10,
  p99: 40,
  max: 80,
  delivered: 500_000,
  expected: 500_000,
  ...over,
});
