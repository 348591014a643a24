export * from './clock';
export * from './page';
export * from './segment-repository';
export * from './membership-repository';
export * from './history-repository';
export * from './user-registry';
export * from './report-storage';
export * from './history-report-source';
