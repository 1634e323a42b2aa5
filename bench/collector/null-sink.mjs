// Baseline receiver: reads each request body and answers 200, storing nothing.
import http from 'node:http';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    Buffer.concat(chunks);
    res.setHeader('content-type', 'application/x-protobuf');
    res.end();
  });
});
server.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ event: 'listening', httpPort: server.address().port })),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
