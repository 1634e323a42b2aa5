// `npm start`: brings up the whole reference stack. Until the reference-stack issue lands, it says so.
console.log('AutoBot Tracing: the reference stack is not built yet (see the open issues). Run `npm test`.');
