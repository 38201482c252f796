/**
 * The HTML report's client (bundled to dist/report.js and dist/report.css, inlined into the
 * report by src/shared/reportHtml.ts): the flame graph panel's client (main.ts), unchanged, after
 * the report's stand-in for the extension host (reportHost.ts). The imports run in this order.
 */
import './report.css';
import './reportHost';
import './main';
