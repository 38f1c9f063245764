// Solves a challenge with the widget's own code, under Node (>= 20).
//
//   node widget-solve.mjs path/to/altcha.min.js < input.json
//
// input.json: {"challenge": <what GET /api/v1/challenge returns>,
//              "sigKey": "<hex of the parameters' HMAC key>", "workers": 2}
//
// It loads the shipped widget bundle with just enough of a DOM for it to
// register its algorithms, asks it for the worker of the challenge's
// algorithm (the widget builds workers from an inline source), runs that
// worker source in its own context per worker, and drives the workers as the
// widget does: counters interleaved (counterStart i, counterStep n), uint32
// counter mode, first answer wins. It prints the payload built as the widget
// builds it, and — to check the signature's canonical form — the parameters
// as altcha-lib's canonicalJSON writes them and their HMAC under sigKey.
import { readFileSync } from 'node:fs';
import { resolveObjectURL } from 'node:buffer';
import vm from 'node:vm';
import { webcrypto } from 'node:crypto';

const bundle = readFileSync(process.argv[2], 'utf8');
const input = JSON.parse(readFileSync(0, 'utf8'));
const { challenge } = input;
const workers = input.workers || 2;

// The least DOM the bundle needs to load.
class FakeElement {
	constructor() {
		this.style = { setProperty() {}, removeProperty() {} };
	}
	appendChild(child) {
		return child;
	}
	setAttribute() {}
	addEventListener() {}
}
globalThis.self = globalThis;
globalThis.HTMLElement = class {};
globalThis.customElements = { define() {}, get() {} };
globalThis.document = {
	createElement: () => new FakeElement(),
	getElementById: () => null,
	querySelector: () => null,
	head: new FakeElement(),
	currentScript: null,
	addEventListener() {}
};
globalThis.location = { origin: 'https://broadsheet.test', href: 'https://broadsheet.test/' };
let workerURL = null;
globalThis.Worker = class {
	constructor(url) {
		workerURL = String(url);
	}
};

await import('data:text/javascript;base64,' + Buffer.from(bundle).toString('base64'));
const createWorker = globalThis.$altcha?.algorithms?.get(challenge.parameters.algorithm);
if (!createWorker) {
	throw new Error(`the widget has no worker for ${challenge.parameters.algorithm}`);
}
createWorker();
let workerSource;
if (workerURL?.startsWith('blob:')) {
	workerSource = await resolveObjectURL(workerURL).text();
} else if (workerURL?.startsWith('data:')) {
	workerSource = decodeURIComponent(workerURL.slice(workerURL.indexOf(',') + 1));
} else {
	throw new Error(`unexpected worker URL ${workerURL}`);
}

function startWorker(index) {
	// The Web APIs a worker has that the worker code uses.
	const ctx = {
		AbortController,
		crypto: webcrypto,
		performance,
		setTimeout,
		clearTimeout,
		TextEncoder,
		URL,
		location: { href: 'blob:worker' },
		console
	};
	ctx.self = ctx;
	const answer = new Promise((resolve) => {
		ctx.postMessage = resolve;
	});
	vm.createContext(ctx);
	vm.runInContext(workerSource, ctx);
	ctx.onmessage({
		data: {
			challenge,
			counterMode: 'uint32',
			counterStart: index,
			counterStep: workers,
			timeout: 60000,
			type: 'work'
		}
	});
	return { ctx, answer };
}

const running = Array.from({ length: workers }, (_, i) => startWorker(i));
const solution = await Promise.race(running.map((w) => w.answer));
for (const w of running) {
	w.ctx.onmessage({ data: { type: 'abort' } });
}
if (!solution || solution.error) {
	throw new Error(`no solution: ${JSON.stringify(solution)}`);
}

const payload = btoa(
	JSON.stringify({
		challenge: { parameters: challenge.parameters, signature: challenge.signature },
		solution
	})
);

function sortKeys(obj) {
	if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return obj;
	return Object.keys(obj)
		.sort()
		.reduce((acc, key) => {
			if (obj[key] !== undefined) acc[key] = sortKeys(obj[key]);
			return acc;
		}, {});
}
const canonical = JSON.stringify(sortKeys(challenge.parameters));
const key = await webcrypto.subtle.importKey(
	'raw',
	Buffer.from(input.sigKey, 'hex'),
	{ name: 'HMAC', hash: 'SHA-256' },
	false,
	['sign']
);
const mac = new Uint8Array(
	await webcrypto.subtle.sign('HMAC', key, new TextEncoder().encode(canonical))
);
const signature = Buffer.from(mac).toString('hex');

console.log(JSON.stringify({ payload, solution, canonical, signature }));
process.exit(0);
