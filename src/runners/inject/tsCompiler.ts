/**
 * The TypeScript compiler (sucrase, through ../tsTransform.ts) as a bundle of its own, which the
 * loader (tsRegister.js, tsHooks.js) loads only when its cache has no output for a file as it is
 * now (../tsTransformCache.ts).
 */
export { transformTypeScript } from '../tsTransform';
