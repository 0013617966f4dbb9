/** Where the chosen colour mode is kept, and the class Cloudscape's dark mode hangs on <body>. */
export const MODE_KEY = "fleet-doctor:mode";
export const DARK_CLASS = "awsui-dark-mode";

/**
 * Runs inline as the first element of <body>, before anything paints: a dark choice is on the page from its first
 * frame, instead of a light page that turns dark once React has mounted.
 */
export const MODE_SCRIPT = `try{if(localStorage.getItem(${JSON.stringify(MODE_KEY)})==="dark")document.body.classList.add(${JSON.stringify(DARK_CLASS)})}catch(e){}`;
