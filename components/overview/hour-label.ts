/** "07:00": an hour's start (an ISO time) in UTC, as every time in the app is shown. */
export const hourLabel = (iso: string) => iso.slice(11, 16);
