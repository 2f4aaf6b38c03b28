// The Web Worker that decodes and hashes a model file off the main thread:
// whole as base64 (the contents API), or streamed chunk by chunk (storage).
import {
  answerDigestRequest,
  DigestMessage,
  IDigestRequest,
  StreamedDigests,
  StreamRequest
} from './base64Digest';

interface IWorkerScope {
  onmessage:
    ((event: MessageEvent<IDigestRequest | StreamRequest>) => void) | null;
  postMessage(message: DigestMessage): void;
}

const scope = self as unknown as IWorkerScope;
const streamed = new StreamedDigests(message => scope.postMessage(message));

scope.onmessage = event => {
  const request = event.data;
  if ('base64' in request) {
    void answerDigestRequest(request, message => scope.postMessage(message));
  } else {
    void streamed.answer(request);
  }
};
