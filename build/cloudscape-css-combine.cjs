// Turbopack loader: see cloudscape-css.cjs.
module.exports = require("./cloudscape-css.cjs").combine;
