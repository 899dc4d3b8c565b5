export { closest } from '@lth/kernel';
