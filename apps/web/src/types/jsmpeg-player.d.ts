// The package ships no types; this covers the part Consentry uses.
declare module "@cycjimmy/jsmpeg-player" {
  type PlayerOptions = {
    canvas?: HTMLCanvasElement;
    audio?: boolean;
    disableGl?: boolean;
    reconnectInterval?: number;
    onSourceEstablished?: () => void;
    onSourceCompleted?: () => void;
    onVideoDecode?: () => void;
    onStalled?: () => void;
  };
  class Player {
    constructor(url: string, options: PlayerOptions);
    destroy(): void;
  }
  const JSMpeg: { Player: typeof Player };
  export default JSMpeg;
}
