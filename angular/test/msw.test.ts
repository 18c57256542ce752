import './support/testbed.js';
import { bindingSuite } from './bindings.suite.js';

bindingSuite('msw', 'zoneless');
