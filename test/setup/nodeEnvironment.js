// Jest runs tests in their own realm, which lacks the Undici dispatcher Node's fetch installs on
// the real global. @google/genai dispatches through it, so hand the test realm the real one.
const { TestEnvironment } = require('jest-environment-node');

const DISPATCHER = Symbol.for('undici.globalDispatcher.1');

class NodeEnvironmentWithUndici extends TestEnvironment {
	async setup() {
		await super.setup();
		if (!globalThis[DISPATCHER]) new Headers();
		this.global[DISPATCHER] = globalThis[DISPATCHER];
	}
}

module.exports = NodeEnvironmentWithUndici;
