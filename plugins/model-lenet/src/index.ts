export { LeNet } from './lenet';
export { LeNetFamily, lenetWidths } from './lenet-family';
