import { WriteFences } from './write-fences';

describe('WriteFences', () => {
  it("fences a user's reads at that user's last write, and every read at a write of all", () => {
    const fences = new WriteFences(500);
    fences.userWritten(7, 1_000);
    expect([fences.ofUser(7), fences.ofUser(8), fences.ofAll()]).toEqual([1_000, 0, 1_000]);
    fences.allWritten(1_200);
    expect([fences.ofUser(7), fences.ofUser(8), fences.ofAll()]).toEqual([1_200, 1_200, 1_200]);
  });

  it('forgets fences older than the horizon (the lag bound covers them) and keeps at most maxUsers', () => {
    const fences = new WriteFences(500, 2);
    fences.userWritten(1, 1_000);
    fences.userWritten(2, 1_600);
    expect(fences.size).toBe(1);
    expect(fences.ofUser(1)).toBe(0);
    fences.userWritten(3, 1_700);
    fences.userWritten(4, 1_800);
    expect(fences.size).toBe(2);
    // User 2 was pushed out by the bound, not by age: every user is now fenced at least at its time.
    expect([fences.ofUser(2), fences.ofUser(9), fences.ofUser(4)]).toEqual([1_600, 1_600, 1_800]);
  });

  it('a later write of the same user moves its fence and its place in line', () => {
    const fences = new WriteFences(10_000, 2);
    fences.userWritten(1, 1_000);
    fences.userWritten(2, 1_100);
    fences.userWritten(1, 1_200);
    fences.userWritten(3, 1_300);
    expect([fences.ofUser(1), fences.ofUser(2), fences.ofUser(3)]).toEqual([1_200, 1_100, 1_300]);
  });
});
