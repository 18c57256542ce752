// zone.js first, before anything schedules a timer or opens a socket. Its `mix` bundle also patches Node's
// EventEmitter, so that the `ws` sockets of Node's WebSocket adapter carry zones as a browser's WebSocket does
// (the `angular-zone` project also lowers async/await, as the Angular CLI does for zone.js apps).
import 'zone.js/mix';
import './support/testbed.js';
import { bindingSuite } from './bindings.suite.js';

bindingSuite('port', 'zone');
