export * from './boxes';
export * from './probe';
export * from './sources';
