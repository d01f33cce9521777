"""Flow control shared by the two websocket apps (the classroom's and the visualizer's cluster socket).

- `wsflow.inbox`: when to stop reading a socket whose frames wait unprocessed (InboxThrottle);
- `wsflow.daphne`: reaching Daphne's connection behind an ASGI `send` (also behind Channels' session
  middleware, `ServerSendMiddleware`), counting the frames it has read, pausing and resuming its reading, and
  its kernel buffers;
- `wsflow.budget`: token buckets per identity, and the budgets of answers that cost a sender nothing (`error`,
  `pong`).

The frame codec both apps share is `wscodec`; what is specific to one app (its viewers' outgoing buffers, its
rates of actions) stays in that app.
"""
