export const TRANSPORT = 'ws';
