// otpauth-diff.js - differential test helper: random accounts as otpauth
// URIs, and the checks of totp's codes and URIs against the otpauth npm
// package.  Run by tests/cli/t_node_otpauth.sh.
//
//   node otpauth-diff.js gen SEED N        accounts as JSON lines
//   node otpauth-diff.js uris FILE         their URIs, as otpauth writes them
//   node otpauth-diff.js times SEED K      K test times (Unix seconds)
//   node otpauth-diff.js labels FILE       "type<TAB>Issuer:account" lines
//   node otpauth-diff.js codes FILE DIR    totp's 'code --json --at T' in DIR/T.json
//   node otpauth-diff.js hotp FILE RESULTS lines "label<TAB>code<TAB>code...":
//                                          codes from the stored counter on
//   node otpauth-diff.js show FILE RESULTS lines "label<TAB>used<TAB>URI": totp's
//                                          'show' URIs parsed by otpauth, HOTP
//                                          counters moved by `used`
'use strict';
const fs = require('fs');
const path = require('path');
const OTPAuth = require(path.join(__dirname, 'node_modules', 'otpauth'));

// A small seeded generator (mulberry32), so a failing seed can be replayed.
function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));

const ISSUERS = ['Example', 'Big Co & Sons', 'Ünïcode Bank', 'a+b=c', 'GitHub', 'x/y?z', '100%'];
const ACCOUNTS = ['alice', 'bob@example.com', 'user+tag@mail.test', 'Jöhn Dœ', 'x y', 'me#1'];

function gen(seed, n) {
	const r = rng(seed);
	const out = [];
	for (let i = 0; i < n; i++) {
		const bytes = new Uint8Array(int(r, 10, 64));
		for (let j = 0; j < bytes.length; j++) bytes[j] = int(r, 0, 255);
		const hotp = r() < 0.25;
		out.push({
			type: hotp ? 'hotp' : 'totp',
			issuer: `${pick(r, ISSUERS)} ${i}`,
			account: `${pick(r, ACCOUNTS)}${i}`,
			secret: new OTPAuth.Secret({ buffer: bytes.buffer }).base32,
			algorithm: pick(r, ['SHA1', 'SHA256', 'SHA512']),
			digits: int(r, 6, 8),
			period: pick(r, [15, 30, 30, 60, 90, 120, int(r, 1, 3600)]),
			counter: pick(r, [0, 1, int(r, 0, 1000), int(r, 0, 2 ** 40)]),
		});
	}
	return out;
}

function otp(a) {
	const common = {
		issuer: a.issuer, label: a.account, secret: OTPAuth.Secret.fromBase32(a.secret),
		algorithm: a.algorithm, digits: a.digits,
	};
	return a.type === 'hotp'
		? new OTPAuth.HOTP({ ...common, counter: a.counter })
		: new OTPAuth.TOTP({ ...common, period: a.period });
}

const load = (file) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const label = (a) => `${a.issuer}:${a.account}`;
const byLabel = (file, l) => {
	const a = load(file).find((x) => label(x) === l);
	if (!a) throw new Error(`no account ${l}`);
	return a;
};
let failed = 0;
function check(ok, what, detail) {
	console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
	if (!ok) {
		failed = 1;
		if (detail) console.log(`#   ${detail}`);
	}
}

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
case 'gen':
	for (const a of gen(Number(args[0]), Number(args[1]))) console.log(JSON.stringify(a));
	break;
case 'uris':
	for (const a of load(args[0])) console.log(otp(a).toString());
	break;
case 'times': {
	const r = rng(Number(args[0]) ^ 0x5eed);
	const edges = [0, 59, 1111111109, 1234567890, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 20000000000];
	const k = Number(args[1]);
	const ts = edges.slice(0, Math.min(k, edges.length));
	while (ts.length < k) ts.push(int(r, 0, 2 ** 35));
	console.log(ts.join('\n'));
	break;
}
case 'labels':
	for (const a of load(args[0])) console.log(`${a.type}\t${label(a)}`);
	break;
case 'codes': {
	const [file, dir] = args;
	const accounts = load(file).filter((a) => a.type === 'totp');
	for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
		const t = Number(name.replace(/\.json$/, ''));
		const got = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
		let n = 0;
		for (const a of accounts) {
			const g = got.find((x) => x.issuer === a.issuer && x.account === a.account);
			const want = otp(a).generate({ timestamp: t * 1000 });
			if (!g || g.code !== want)
				check(false, `TOTP ${label(a)} at ${t}`,
					`${a.algorithm}/${a.digits}/${a.period}s: totp ${g ? g.code : 'missing'}, otpauth ${want}`);
			else
				n++;
		}
		check(n === accounts.length, `${n}/${accounts.length} TOTP codes at t=${t} equal otpauth's`);
	}
	break;
}
case 'hotp':
	for (const line of fs.readFileSync(args[1], 'utf8').split('\n').filter(Boolean)) {
		const [l, ...codes] = line.split('\t');
		const a = byLabel(args[0], l);
		const h = otp(a);
		const bad = [];
		codes.forEach((c, i) => {
			const want = h.generate({ counter: a.counter + i });
			if (c !== want) bad.push(`counter ${a.counter + i}: totp ${c}, otpauth ${want}`);
		});
		check(codes.length > 0 && bad.length === 0,
			`HOTP ${l}: ${codes.length} codes from counter ${a.counter} (${a.algorithm}/${a.digits})`,
			bad.join('; '));
	}
	break;
case 'show':
	for (const line of fs.readFileSync(args[1], 'utf8').split('\n').filter(Boolean)) {
		const [l, used, uri] = line.split('\t');
		const a = byLabel(args[0], l);
		let p;
		try {
			p = OTPAuth.URI.parse(uri);
		} catch (e) {
			check(false, `otpauth parses totp's URI of ${l}`, e.message);
			continue;
		}
		const want = { ...a, counter: a.counter + Number(used || 0) };
		const diffs = [];
		const cmp = (what, x, y) => { if (x !== y) diffs.push(`${what}: ${x} vs ${y}`); };
		cmp('type', p instanceof OTPAuth.HOTP ? 'hotp' : 'totp', want.type);
		cmp('issuer', p.issuer, want.issuer);
		cmp('label', p.label, want.account);
		cmp('secret', p.secret.base32, want.secret);
		cmp('algorithm', p.algorithm, want.algorithm);
		cmp('digits', p.digits, want.digits);
		if (want.type === 'hotp') cmp('counter', p.counter, want.counter);
		else cmp('period', p.period, want.period);
		check(diffs.length === 0, `otpauth reads totp's URI of ${l} back`, diffs.join('; '));
	}
	break;
default:
	console.error('usage: see the comment at the top');
	process.exit(2);
}
process.exit(failed);
