// The anchor of the dissemination benchmark: the gateway's own capacity.
//
//   node anchor.mjs URL COUNT CONCURRENCY
//
// Posts COUNT requests shaped like yingji's ({phone, content, key}, the same
// template, a text of the same length as the benchmark's warning) to URL with
// CONCURRENCY requests in flight over keep-alive connections, retrying the
// answers {"code":"500"} like yingji does (without backoff), and prints one
// JSON line: {requests, accepted, retried, seconds, per_s}. No database,
// no scheduling: only the HTTP round trips and the gateway's own work.
import http from 'node:http';

const [url, countArg, concArg, textLenArg] = process.argv.slice(2);
const count = Number(countArg);
const conc = Number(concArg);
if (!url || !(count > 0) || !(conc > 0)) {
  console.error('usage: node anchor.mjs URL COUNT CONCURRENCY [TEXT_CHARS=120]');
  process.exit(2);
}
const textLen = Number(textLenArg ?? '120');
const u = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const text = '【大同应急】' + '大同市平城区气象台发布暴雨黄色预警信号，预计6小时内降雨量将达50毫米以上，请注意防范。'.repeat(10)
  .slice(0, Math.max(1, textLen - 6));

function post(body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request({
      agent, host: u.hostname, port: u.port, path: u.pathname, method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': data.length },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

let next = 0;
let accepted = 0;
let retried = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    const body = { phone: `138${String(i).padStart(8, '0')}`, content: text, key: `anchor-${process.pid}-${i}` };
    for (;;) {
      const r = await post(body);
      if (r.code === '0') break;
      retried++;
    }
    accepted++;
  }
}
const t0 = process.hrtime.bigint();
await Promise.all(Array.from({ length: conc }, worker));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
agent.destroy();
console.log(JSON.stringify({ requests: accepted + retried, accepted, retried, seconds, per_s: accepted / seconds }));
