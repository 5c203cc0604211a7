export * from './schema';
export * from './models';
export * from './registry';
