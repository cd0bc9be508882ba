// The package ships no types; this covers the part Consentry uses.
declare module "@cycjimmy/jsmpeg-player" {
  type PlayerOptions = {
    canvas?: HTMLCanvasElement;
    audio?: boolean;
    disableGl?: boolean;
    reconnectInterval?: number;
    /** A source class used instead of the built-in one (the player calls `new source(url, options)`). */
    source?: new (
      url: string,
      options: PlayerOptions,
    ) => WebSocketSource;
    onSourceEstablished?: () => void;
    onSourceCompleted?: () => void;
    onVideoDecode?: () => void;
    onStalled?: () => void;
  };
  class Player {
    constructor(url: string, options: PlayerOptions);
    destroy(): void;
  }
  /** JSMpeg.Source.WebSocket: its socket's onerror and onclose both call onClose(event). */
  class WebSocketSource {
    constructor(url: string, options: PlayerOptions);
    /** True once the first message arrived. */
    established: boolean;
    onClose(event?: Event): void;
  }
  const JSMpeg: { Player: typeof Player; Source: { WebSocket: typeof WebSocketSource } };
  export default JSMpeg;
}
