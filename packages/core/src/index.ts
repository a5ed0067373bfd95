export * from './backoff';
export * from './errors';
export * from './event-id';
export * from './permissions';
export * from './ports';
export * from './schemas';
export * from './throttle';
export * from './types';
