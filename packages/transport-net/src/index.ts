export const TRANSPORT = 'net';
