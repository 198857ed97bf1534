/**
 * Types for `bottleneck/light.js`, the clustering-free build of Bottleneck that
 * `@octokit/plugin-throttling` itself loads. Using the same build keeps one copy in the bundle.
 */
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
