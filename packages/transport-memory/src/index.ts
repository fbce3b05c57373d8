export const TRANSPORT = 'memory';
