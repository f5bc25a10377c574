/**
 * The gateway's HTTP API as a type, for front ends: `treaty<App>(baseUrl)` from `@elysiajs/eden` gives
 * typed routes, bodies, queries and answers (see examples/web-client). Type-only: importing it pulls no
 * server code into a bundle.
 */
export type { GatewayApp as App } from "./app.ts";
