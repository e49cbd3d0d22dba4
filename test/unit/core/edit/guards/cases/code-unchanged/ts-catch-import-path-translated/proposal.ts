// 表示用に価格を整形する。
import { currency } from "./locale/通貨";

export const label = (n: number): string => `${currency()} ${n}`; // カートに表示される
